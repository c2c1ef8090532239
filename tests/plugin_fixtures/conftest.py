"""Plugin sources that tests install as distributions: never collected or imported here."""

collect_ignore_glob = ["*.py", "pip_demo/*"]
