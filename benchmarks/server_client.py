"""The Python end of the line protocol the C# benchmark servers speak (RawEdit.Benchmarks *-server modes)."""
import subprocess


class CSharpServer:
    """Starts a C# benchmark server and exchanges one line per request with it."""

    def __init__(self, cmd, greeting=None):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        if greeting is not None and self.p.stdout.readline().strip() != greeting:
            raise RuntimeError(f"the C# server {' '.join(cmd)} did not start")

    def ask(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        reply = self.p.stdout.readline().strip()
        if not reply or reply.startswith("error"):
            raise RuntimeError(f"C# side answered {reply!r} to {line!r}")
        return reply

    def close(self):
        try:
            self.p.stdin.write("quit\n")
            self.p.stdin.flush()
        except OSError:
            pass
        self.p.wait(timeout=30)
