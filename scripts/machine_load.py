"""How busy the machine and the processes of a benchmark were (Linux /proc), shared by
bench-matrix.py and bench-client.py: every results file says the machine's load."""
import os


def busy_seconds():
    """CPU time the whole machine spent busy so far (/proc/stat, all cores)."""
    fields = open("/proc/stat").readline().split()[1:]
    user, nice, system, idle, iowait, irq, softirq, steal = map(int, fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def process_seconds(pid):
    """User+sys CPU of one process so far (/proc/PID/stat), 0 if it is gone."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_seconds():
    """CPU of this script and every client it has waited for."""
    me = os.times()
    return me.user + me.system + me.children_user + me.children_system
