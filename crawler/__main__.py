"""`python -m crawler` runs the newsagg command line."""

from crawler.cli import main

main()
