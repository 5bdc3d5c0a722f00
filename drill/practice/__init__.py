"""drill.practice: sessions as plain logic — asking, grading and recording (session), the mock
interview's plan and outcome, spaced-review scheduling, statistics and session results. No rich."""
