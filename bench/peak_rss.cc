// bench_peak_rss: runs a command and records its peak resident set size.
//
//   bench_peak_rss PREFIX COMMAND [ARGS...]
//
// Forks, execs COMMAND, waits for it, and writes PREFIX.<rank>.json with
// {"rank", "maxrss_kib", "wall_seconds", "user_seconds", "sys_seconds",
// "exit_code"}; rank is taken from OMPI_COMM_WORLD_RANK / PMIX_RANK /
// PMI_RANK (0 when not under MPI), so `mpirun -np 2 bench_peak_rss P prog`
// gives one record per rank. maxrss is getrusage(RUSAGE_CHILDREN)'s ru_maxrss:
// the largest RSS the command (or any process it waited for) reached.
// Exits with the command's exit status.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_peak_rss PREFIX COMMAND [ARGS...]\n");
    return 2;
  }
  const char* rank = std::getenv("OMPI_COMM_WORLD_RANK");
  if (!rank) rank = std::getenv("PMIX_RANK");
  if (!rank) rank = std::getenv("PMI_RANK");
  if (!rank) rank = "0";
  std::string out = std::string(argv[1]) + "." + rank + ".json";

  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid < 0) {
    std::perror("bench_peak_rss: fork");
    return 1;
  }
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    std::perror("bench_peak_rss: exec");
    _exit(127);
  }
  // Pass termination requests on to the command.
  signal(SIGINT, SIG_IGN);
  int status = 0;
  struct rusage ru {};
  while (wait4(pid, &status, 0, &ru) < 0) {
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  FILE* f = std::fopen(out.c_str(), "w");
  if (f) {
    std::fprintf(f,
                 "{\"rank\": %s, \"maxrss_kib\": %ld, \"wall_seconds\": %.4f, \"user_seconds\": %.4f, "
                 "\"sys_seconds\": %.4f, \"exit_code\": %d}\n",
                 rank, ru.ru_maxrss, wall, double(ru.ru_utime.tv_sec) + ru.ru_utime.tv_usec / 1e6,
                 double(ru.ru_stime.tv_sec) + ru.ru_stime.tv_usec / 1e6, code);
    std::fclose(f);
  } else {
    std::perror(("bench_peak_rss: " + out).c_str());
  }
  return code;
}
