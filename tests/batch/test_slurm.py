"""The 12-job manifest as a real Slurm job array on this machine: starts
Debian's munged, slurmctld and slurmd itself (single-node slurm.conf in a
temporary directory, run as root), submits `sbatch --array=0-3 --wait`,
merges, compares with one `tinyvmaf batch` process, and stops the daemons
it started, by pid. Skipped (exit 77) when not root or a package is
missing (apt-get install slurm-wlm munge)."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from batch_clips import CLI, check, failures, jobs, make_clips, run, write_manifest_csv  # noqa: E402

SKIP = 77


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def main():
    if os.geteuid() != 0:
        print("skip: the Slurm test starts munged/slurmctld/slurmd and needs root")
        return SKIP
    need = ["munged", "slurmctld", "slurmd", "sbatch", "scontrol"]
    missing = [b for b in need if not (shutil.which(b) or os.path.exists("/usr/sbin/" + b))]
    if missing:
        print(f"skip: {', '.join(missing)} not installed (apt-get install slurm-wlm munge)")
        return SKIP
    which = lambda b: shutil.which(b) or "/usr/sbin/" + b
    # A test timeout (SIGTERM from meson) still stops the daemons: finally runs.
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))
    t = tempfile.mkdtemp(prefix="tvslurm")
    os.chmod(t, 0o755)
    procs = []
    try:
        j = lambda *n: os.path.join(t, *n)
        w, h = make_clips(t)
        man = j("sub", "jobs.csv")
        write_manifest_csv(man, jobs(w, h))
        p = run(["batch", man, "--out", j("single"), "-j", "2", "-q"])
        check(p.returncode == 0, "single-process batch")
        single = run(["merge", j("single"), "--manifest", man]).stdout

        key = j("munge.key")
        with open(key, "wb") as f:
            f.write(os.urandom(1024))
        os.chmod(key, 0o400)
        sock = j("munge.sock")
        os.makedirs(j("state"))
        os.makedirs(j("spool"))
        munged = subprocess.Popen([which("munged"), "-F", "--force", "--socket", sock,
                                   "--key-file", key, "--pid-file", j("munged.pid"),
                                   "--log-file", j("munged.log"), "--seed-file", j("munge.seed")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        procs.append(munged)
        host = socket.gethostname().split(".")[0]
        cpus = os.cpu_count() or 1
        conf = j("slurm.conf")
        with open(conf, "w") as f:
            f.write(f"""ClusterName=tvbatch
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={sock}
CredType=cred/munge
StateSaveLocation={j('state')}
SlurmdSpoolDir={j('spool')}
SlurmctldPidFile={j('slurmctld.pid')}
SlurmdPidFile={j('slurmd.pid')}
SlurmctldLogFile={j('slurmctld.log')}
SlurmdLogFile={j('slurmd.log')}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
ReturnToService=2
MaxArraySize=100
NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} State=UNKNOWN
PartitionName=tv Nodes={host} Default=YES MaxTime=INFINITE State=UP
""")
        env = dict(os.environ, SLURM_CONF=conf)
        for k in ("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "JOB_COMPLETION_INDEX"):
            env.pop(k, None)
        t0 = time.time()
        while not os.path.exists(sock) and time.time() - t0 < 10:
            time.sleep(0.1)
        ctld = subprocess.Popen([which("slurmctld"), "-D", "-i", "-f", conf], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        procs.append(ctld)
        slurmd = subprocess.Popen([which("slurmd"), "-D", "-f", conf, "-N", host], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        procs.append(slurmd)
        ready = False
        t0 = time.time()
        while time.time() - t0 < 60:
            q = subprocess.run([which("scontrol"), "show", "node", host], env=env,
                               capture_output=True, text=True)
            if "State=IDLE" in q.stdout:
                ready = True
                break
            if any(x.poll() is not None for x in procs):
                break
            time.sleep(0.5)
        if not ready:
            for log in ("munged.log", "slurmctld.log", "slurmd.log"):
                if os.path.exists(j(log)):
                    print(f"--- {log}\n" + open(j(log)).read()[-1500:])
            check(False, "the single-node Slurm cluster comes up")
            return 1
        script = j("array.sh")
        with open(script, "w") as f:
            f.write(f"#!/bin/sh\nexec {CLI} batch {man} --out {j('slurm_out')} --threads 1\n")
        os.chmod(script, 0o755)
        s = subprocess.run([which("sbatch"), "--array=0-3", "--wait", "--cpus-per-task=1",
                            f"--output={j('slurm-%A_%a.out')}", script], env=env,
                           capture_output=True, text=True, timeout=400)
        logs = "".join(open(j(n)).read() for n in sorted(os.listdir(t)) if n.startswith("slurm-"))
        check(s.returncode == 0, f"sbatch --array=0-3 --wait exit 0 ({s.stderr.strip()})")
        check(logs.count("from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT") == 4,
              "each array task took its shard from the Slurm variables")
        for i in range(4):
            check(f"shard {i}/4" in logs, f"array task {i} ran shard {i}/4")
        m = run(["merge", j("slurm_out"), "--manifest", man])
        check(m.returncode == 0 and m.stdout == single and single,
              "Slurm array merged == one process")
    finally:
        for x in reversed(procs):
            if x.poll() is None:
                x.terminate()
        for x in reversed(procs):
            try:
                x.wait(timeout=15)
            except subprocess.TimeoutExpired:
                x.kill()
                x.wait()
        shutil.rmtree(t, ignore_errors=True)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
