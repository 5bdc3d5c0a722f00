"""drill.tui: the terminal — views of a quiz, an interview and a walkthrough, pictures, the line
editor, the Anki export. Renders what practice and authoring compute; bank text only as rich Text."""
