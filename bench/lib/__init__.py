"""What every benchmark needs: a private database, the service as a process, wrk, /proc
sampling, and a report of figures against baselines measured in the same run."""
