"""``python -m safety_collab.cli`` runs the ``safety-collab`` command."""

from safety_collab.cli import main

if __name__ == "__main__":  # pragma: no cover - exercised through subprocess tests
    main()
