"""Launch to the first 200 from /healthz, shared by bench/startup.sh and bench/boot-path-search.sh."""
import os, re, signal, subprocess, sys, time, urllib.request

_HZ = os.sysconf("SC_CLK_TCK")
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))   # never through a proxy


def first_healthz(cmd, out_path, err_path, label, before_stop=None):
    """Starts cmd, a server that prints its http://127.0.0.1:PORT on stdout, and polls /healthz
    until it answers 200. Returns (wall seconds, CPU seconds of the JVM until then, from
    /proc in clock ticks); calls before_stop, if given, while the JVM still runs; then stops it."""
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter_ns()
        p = subprocess.Popen(cmd, stdout=out, stderr=err)
        url = None
        try:
            while True:
                if url is None:
                    m = re.search(rb"http://127\.0\.0\.1:\d+", open(out_path, "rb").read())
                    url = m.group(0).decode() + "/healthz" if m else None
                if url is not None:
                    try:
                        with _HTTP.open(url, timeout=10) as r:
                            if r.status == 200:
                                break
                    except OSError:
                        pass
                if p.poll() is not None:
                    sys.exit(f"{label} died: " + open(err_path).read())
                time.sleep(0.005)
            wall = (time.perf_counter_ns() - t0) / 1e9
            fields = open(f"/proc/{p.pid}/stat").read().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / _HZ
            if before_stop:
                before_stop()
        finally:
            p.send_signal(signal.SIGTERM)
            p.wait()
    return wall, cpu
