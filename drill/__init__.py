"""drill: practise the calculations deep-learning interviews ask."""

__version__ = "0.1.0"
