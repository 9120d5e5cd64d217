"""LeadTriage: a desktop queue that turns raw leads into qualified sales conversations."""

from __future__ import annotations


def _version() -> str:
    # Single source: pyproject.toml. Installed (wheel, editable, bundle with copied
    # metadata) -> package metadata; a bare source tree -> read pyproject itself.
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("leadtriage")
    except PackageNotFoundError:  # pragma: no cover - source tree without install
        import re
        from pathlib import Path

        text = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text("utf-8")
        match = re.search(r'^version\s*=\s*"([^"]+)"', text, re.M)
        return match.group(1) if match else "0+unknown"


APP_NAME = "LeadTriage"


def __getattr__(name: str) -> str:
    # Lazy: importlib.metadata costs ~0.1 s, which start-up cannot spare.
    if name == "__version__":
        value = _version()
        globals()["__version__"] = value
        return value
    raise AttributeError(name)
