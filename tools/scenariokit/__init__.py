"""scenariokit: role-play scenarios for language learners, kept as YAML files in git."""

__version__ = "0.1.0"
