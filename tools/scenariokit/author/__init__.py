"""Writing scenarios: new ones from templates, copies, `fmt`, import and export, listings."""
