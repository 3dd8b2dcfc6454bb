// Runs one command and writes what it used, for scripts/bench-matrix.py: user+sys CPU
// seconds and max RSS (KiB), from wait4, as one line "cpu max_rss_kib" to FILE. The command
// is forked from this small process, so its max RSS is its own: forked straight from the
// Python script, a client's ru_maxrss would start at the script's RSS (the kernel carries
// the forked copy's high-water mark across exec), and small clients would all show the
// script's size. Built by scripts/bench-matrix.sh: gcc -O2 -o rusage-exec rusage-exec.c
//
// Usage: rusage-exec FILE COMMAND [ARG...]; exits with the command's status (128 + the
// signal if a signal ended it).
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: rusage-exec FILE COMMAND [ARG...]\n");
        return 2;
    }
    pid_t child = fork();
    if (child < 0) { perror("rusage-exec: fork"); return 2; }
    if (child == 0) {
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    int status;
    struct rusage usage;
    if (wait4(child, &status, 0, &usage) < 0) { perror("rusage-exec: wait4"); return 2; }
    FILE *out = fopen(argv[1], "w");
    if (out == NULL) { perror(argv[1]); return 2; }
    double cpu = usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    fprintf(out, "%.6f %ld\n", cpu, usage.ru_maxrss);
    fclose(out);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
