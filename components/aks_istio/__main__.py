"""`python -m aks_istio`, and the `aks-istio` script (pyproject.toml): the command, started with the cyclic GC off."""

import gc


def run() -> None:
    # Off before the command's modules load, not only in `cli.run` (which says why it stays off): the config types,
    # pydantic and YAML create tens of thousands of objects that live until the process ends, and every collection
    # while they load scans them again for nothing: about a tenth of `validate`'s time (benchmarks/validate_time.py).
    gc.disable()
    try:
        from aks_istio.cli import run as run_command
    except KeyboardInterrupt:
        # Ctrl-C while the command's modules load, before `cli.guarded` can catch it: the same quiet 130.
        raise SystemExit(130) from None
    run_command()


if __name__ == "__main__":
    run()
