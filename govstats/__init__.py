"""govstats: statistics tables of Chinese government information-disclosure annual reports as clean data.

Data flows one way: documents → tables → observations → checks → package.
"""

__version__ = "0.1.0"
