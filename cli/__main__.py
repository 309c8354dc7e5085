"""``python -m tsrnn.cli ...``: the ``tsrnn`` command (what torchrun's ``-m`` launches)."""

from .main import main

if __name__ == "__main__":
    main(prog_name="tsrnn")
