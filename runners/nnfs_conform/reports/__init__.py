"""What a run is shown as: the console, text, JUnit, Markdown, badge, matrix and HTML."""
