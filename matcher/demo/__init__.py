"""Seeded demo data for Kabupaten Serang: SMK schools, students and alumni, vacancies.

The generator writes records the way people in Serang write them (old and new major names,
abbreviations, typos, partly filled portal fields) and keeps, next to them, the answer they were
built from (each candidate's true SMK program, each vacancy's fitting programs), so tests and
benchmarks can measure the matcher on data with a known truth. Its vocabulary lives in
``matcher/data/demo/`` and is written independently of ``matcher.taxonomy``: scoring the matcher on
text produced from its own taxonomy would be circular.
"""

from matcher.demo.generate import generate_demo
from matcher.demo.model import DemoData, Employer, School

__all__ = ["DemoData", "Employer", "School", "generate_demo"]
