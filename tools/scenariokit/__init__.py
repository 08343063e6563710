"""scenariokit: role-play scenarios for language learners, kept as YAML files in git."""

# The one place the version is written: pyproject.toml reads it from here
# ([tool.hatch.version]), so the installed metadata and `scenarios --version` agree.
__version__ = "0.1.0"
