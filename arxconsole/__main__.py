import sys


def main() -> int:
    # Start-up creates tens of thousands of long-lived objects (modules, Qt types and
    # their enums); the cyclic collector rescanning them while they are being made is
    # pure start-up cost (~5 ms of the path to the first window).  Paused here; cli.main
    # resumes it for commands, and the GUI hands collection to its GUI-thread collector
    # (gui.workers.collect_garbage_on_gui_thread), which keeps automatic collection off.
    import gc

    gc.disable()
    from .cli import main as cli_main

    return cli_main(sys.argv[1:], gc_paused=True)


if __name__ == "__main__":
    sys.exit(main())
