"""%infinstor, the line magic that `%load_ext infinstor` adds."""

import json
import sys

from ._errors import InfinStorError

USAGE = ("usage: %infinstor use BUCKET[/FOLDER]@SPEC   (then infinstor.path('key') reads in that view)\n"
         "       %infinstor lineage                  (what this kernel read)\n"
         "       %infinstor                          (the view in use)")


def _show_error(shell, etype, value, tb, tb_offset=None):
    """InfinStor's errors are messages with the fix, not bugs: the message, without a traceback.

    IPython shows nothing itself for a custom handler's exception (it only marks
    the cell failed), so the message is written here, where a traceback would go.
    """
    message = f"{etype.__name__}: {value}"
    print(message, file=sys.stderr)
    return [message]


def register(ipython) -> None:
    import infinstor
    from IPython.core.error import UsageError

    def magic(line: str):
        args = line.split()
        if args and args[0] == "use" and len(args) == 2:
            try:
                view = infinstor.use(args[1])
            except InfinStorError as e:
                raise UsageError(str(e)) from None
            print(f"using {view.described}: infinstor.path('…') is relative to it")
            return None
        if args == ["lineage"]:
            print(json.dumps(infinstor.lineage(), indent=2))
            return None
        if not args:
            view = infinstor.view()
            print("no view in use; choose one with %infinstor use BUCKET@SPEC" if view is None else f"using {view.described}")
            return None
        raise UsageError(USAGE)

    ipython.register_magic_function(magic, magic_kind="line", magic_name="infinstor")
    ipython.set_custom_exc((InfinStorError,), _show_error)
