//! Input requirements: pip requirements files and pyproject.toml (PEP 621, PEP 735).
