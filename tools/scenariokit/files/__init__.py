"""Reading the repository: its folders walked once, YAML loaded safely, git asked."""
