"""SMK programs, study fields, occupations and skills; mapping Indonesian text to them.

``Taxonomy.load()`` builds everything from matcher/data/taxonomy (attribution in
matcher/data/NOTICE.md).
"""

from matcher.taxonomy.concepts import Taxonomy
from matcher.taxonomy.program import Program
from matcher.taxonomy.skills import Skill

__all__ = ["Program", "Skill", "Taxonomy"]
