"""`python -m logto_kit.admin ...`: the `logto` commands without installing the project."""

from .cli import main

main()
