"""A second database connection for tests that need one transaction of
their own beside the server's: to hold locks, to make a deadlock."""

import os
import subprocess


class SqlClient:
    """The mariadb client as root with its stdin kept open, so that one
    transaction spans the statements sent one by one."""

    def __init__(self, stack):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("DINGHUO_")}
        self.p = subprocess.Popen(
            ["mariadb", "--no-defaults", f"--socket={stack.mysql_sock}",
             "-uroot", "--batch", "--unbuffered",
             "--default-character-set=utf8mb4", "-D", "dinghuo"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, env=env, text=True)

    def send(self, sql):
        self.p.stdin.write(sql + "\n")
        self.p.stdin.flush()

    def close(self):
        """Roll back what is open, end the client; its stderr."""
        if self.p.poll() is None:
            try:
                self.send("ROLLBACK;")
                self.p.stdin.close()
                self.p.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self.p.kill()
                self.p.wait(10)
        return self.p.stderr.read()


def trx(stack, where):
    """Thread ids of the InnoDB transactions that match where."""
    return [tid for (tid,) in stack.sql(
        "SELECT trx_mysql_thread_id FROM information_schema.innodb_trx "
        f"WHERE {where}")]
