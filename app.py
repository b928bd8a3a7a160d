"""Counter view entry point (Gradio). `make run` starts it on 127.0.0.1."""

from __future__ import annotations

import assistant.offline  # noqa: F401  (before gradio)

if __name__ == "__main__":
    from assistant.ui.app import main

    main()
