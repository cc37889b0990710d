// keymint_lookup_bench: the store reads of one client-credentials exchange,
// timed on a seeded data directory (keymint_seed), without HTTP or signing.
//
//   keymint_lookup_bench --data-dir DIR --credentials FILE [--lookups 200000] [--rounds 5]
//
// Each round looks up --lookups client IDs from the file, in a random order,
// as TokenService does: FindCredentialByClientId (the client-ID index, then
// the record) and GetUser (the owner), both without last logins. The first
// round starts with empty caches; later ones show the steady state. Prints
// the mean time (wall and CPU) per exchange's reads in each round, and the process's VmRSS
// before the store is opened (the client IDs read) and at the end. The store is opened as `keymint serve` opens it, so
// keymint must not be running on the directory.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "keymint/service/data_dir.hpp"
#include "keymint/store/store.hpp"

namespace {

using namespace keymint;

std::vector<std::string> ReadClientIds(const std::string& path) {
  std::vector<std::string> ids;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const auto comma = line.find(',');
    if (comma != std::string::npos) ids.push_back(line.substr(0, comma));
  }
  return ids;
}

// A line of /proc/self/status, e.g. "VmRSS:     23456 kB".
std::string StatusLine(std::string_view field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field, 0) == 0) return line;
  }
  return std::string(field) + " ?";
}

// CPU time of this thread: on a shared machine it moves less than wall time
// when other processes take the core.
double ThreadCpuSeconds() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

int Usage() {
  std::cerr << "usage: keymint_lookup_bench --data-dir DIR --credentials FILE [--lookups N] [--rounds N]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data_dir, credentials;
  long lookups = 200'000, rounds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--data-dir") {
      data_dir = argv[i + 1];
    } else if (flag == "--credentials") {
      credentials = argv[i + 1];
    } else if (flag == "--lookups") {
      lookups = std::atol(argv[i + 1]);
    } else if (flag == "--rounds") {
      rounds = std::atol(argv[i + 1]);
    } else {
      return Usage();
    }
  }
  if (argc % 2 == 0 || data_dir.empty() || credentials.empty() || lookups < 1 || rounds < 1) return Usage();

  std::vector<std::string> ids = ReadClientIds(credentials);
  if (ids.empty()) {
    std::cerr << "keymint_lookup_bench: no credentials in " << credentials << std::endl;
    return 1;
  }
  const std::string rss_before = StatusLine("VmRSS");  // the client IDs, before the store
  auto store = OpenRocksDbStore(StoreDirectory(data_dir));
  if (!store.ok()) {
    std::cerr << "keymint_lookup_bench: " << store.error().message << std::endl;
    return 1;
  }

  std::mt19937_64 random(std::random_device{}());
  std::printf("%zu credentials; %ld lookups per round\n", ids.size(), lookups);
  for (long round = 0; round < rounds; ++round) {
    std::shuffle(ids.begin(), ids.end(), random);
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = ThreadCpuSeconds();
    for (long i = 0; i < lookups; ++i) {
      auto credential = (*store)->FindCredentialByClientId(ids[i % ids.size()], LastLoginField::kSkip);
      if (!credential.ok() || !*credential) {
        std::cerr << "keymint_lookup_bench: client ID " << ids[i % ids.size()] << " not found" << std::endl;
        return 1;
      }
      auto owner = (*store)->GetUser((*credential)->owner_id, LastLoginField::kSkip);
      if (!owner.ok() || !*owner) {
        std::cerr << "keymint_lookup_bench: the owner of " << ids[i % ids.size()] << " not found" << std::endl;
        return 1;
      }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu_seconds = ThreadCpuSeconds() - cpu_start;
    std::printf("round %ld: %.2f us per exchange's reads (%.2f us of CPU)\n", round + 1,
                seconds * 1e6 / static_cast<double>(lookups), cpu_seconds * 1e6 / static_cast<double>(lookups));
  }
  std::printf("before opening the store: %s\nat the end: %s, %s\n", rss_before.c_str(), StatusLine("VmRSS").c_str(),
              StatusLine("VmHWM").c_str());
  return 0;
}
