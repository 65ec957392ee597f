"""`python -m aks_istio`, and the `aks-istio` script (pyproject.toml): the command, started with the cyclic GC off."""

import gc


def run() -> None:
    # Off before the command's modules load, not only in `cli.run` (which says why it stays off): the config types,
    # pydantic and YAML create tens of thousands of objects that live until the process ends, and every collection
    # while they load scans them again for nothing: about a tenth of `validate`'s time (benchmarks/validate_time.py).
    gc.disable()
    from aks_istio.cli import run as run_command

    run_command()


if __name__ == "__main__":
    run()
