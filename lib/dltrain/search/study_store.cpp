// SQLite study storage; see study_store.h for the concurrency rules.
#include "dltrain/search/study_store.h"

#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>

#include "dltrain/core/error.h"

namespace dltrain::search {
namespace {

const char* const kSchema = R"sql(
CREATE TABLE IF NOT EXISTS study (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trials (
  number INTEGER PRIMARY KEY, state TEXT NOT NULL, params TEXT NOT NULL, value REAL,
  epochs INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 1, retriable INTEGER NOT NULL DEFAULT 0,
  worker TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL, heartbeat REAL NOT NULL,
  run_dir TEXT NOT NULL DEFAULT '', error TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS intermediate (
  trial INTEGER NOT NULL, epoch INTEGER NOT NULL, value REAL, PRIMARY KEY (trial, epoch));
)sql";

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string host_name() {
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  return name;
}

// A prepared statement with positional binds; finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) fail("prepare");
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement& bind(int i, int64_t v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
  Statement& bind(int i, double v) { return check(sqlite3_bind_double(stmt_, i, v)); }
  Statement& bind(int i, const std::string& v) {
    return check(sqlite3_bind_text(stmt_, i, v.c_str(), int(v.size()), SQLITE_TRANSIENT));
  }
  Statement& bind_null(int i) { return check(sqlite3_bind_null(stmt_, i)); }
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) fail("step");
    return false;
  }
  int64_t integer(int c) { return sqlite3_column_int64(stmt_, c); }
  double real(int c) { return sqlite3_column_double(stmt_, c); }
  bool null(int c) { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
  std::string text(int c) {
    const auto* t = sqlite3_column_text(stmt_, c);
    return t ? reinterpret_cast<const char*>(t) : "";
  }

 private:
  Statement& check(int rc) {
    if (rc != SQLITE_OK) fail("bind");
    return *this;
  }
  [[noreturn]] void fail(const char* what) {
    throw DataError(std::string("study database: ") + what + " failed: " + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

const char* const kTrialColumns = "number, state, params, value, epochs, attempts, run_dir, worker, error";

Trial read_trial(Statement& s) {
  Trial t;
  t.number = s.integer(0);
  t.state = parse_state(s.text(1));
  t.params = nlohmann::json::parse(s.text(2));
  t.has_value = !s.null(3);
  t.value = t.has_value ? s.real(3) : 0.0;
  t.epochs = s.integer(4);
  t.attempts = s.integer(5);
  t.run_dir = s.text(6);
  t.worker = s.text(7);
  t.error = s.text(8);
  return t;
}

}  // namespace

const char* state_name(TrialState state) {
  switch (state) {
    case TrialState::running: return "running";
    case TrialState::complete: return "complete";
    case TrialState::pruned: return "pruned";
    case TrialState::failed: return "failed";
  }
  return "?";
}

TrialState parse_state(const std::string& name) {
  for (const auto s : {TrialState::running, TrialState::complete, TrialState::pruned, TrialState::failed}) {
    if (name == state_name(s)) return s;
  }
  throw DataError("study database: unknown trial state \"" + name + "\"");
}

std::string StudyStore::worker_name() { return host_name() + ":" + std::to_string(getpid()); }

StudyStore::StudyStore(const std::string& path) : path_(path) {
  if (!std::filesystem::exists(path)) throw DataError(path + ": no such study database");
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw DataError(path + ": cannot open the study database: " + message);
  }
  sqlite3_busy_timeout(db_, 120000);
  try {
    Statement(db_, "SELECT count(*) FROM trials").step();
  } catch (const DataError&) {
    sqlite3_close(db_);
    throw DataError(path + ": not a dltrain study database");
  }
}

StudyStore::StudyStore(const std::string& path, const std::string& fingerprint) : path_(path) {
  const auto parent = std::filesystem::path(path).parent_path();
  std::error_code ignored;
  if (!parent.empty()) std::filesystem::create_directories(parent, ignored);
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw DataError(path + ": cannot open the study database: " + message);
  }
  // Workers wait for each other's short transactions rather than fail.
  sqlite3_busy_timeout(db_, 120000);
  try {
    execute("BEGIN IMMEDIATE");
    execute(kSchema);
    Statement get(db_, "SELECT value FROM study WHERE key = 'fingerprint'");
    if (get.step()) {
      if (get.text(0) != fingerprint) {
        execute("ROLLBACK");
        throw ConfigError(path + ": holds a study with another name, objective, sampler or space; "
                                 "give the spec a new storage file (or delete this one to start over)");
      }
    } else {
      Statement(db_, "INSERT INTO study (key, value) VALUES ('fingerprint', ?)").bind(1, fingerprint).step();
    }
    execute("COMMIT");
  } catch (const DataError&) {
    sqlite3_close(db_);
    throw;
  } catch (const ConfigError&) {
    sqlite3_close(db_);
    throw;
  }
}

StudyStore::~StudyStore() { sqlite3_close(db_); }

void StudyStore::execute(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string text = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw DataError(path_ + ": study database: " + text);
  }
}

void StudyStore::reap_dead_workers(double stale_after_s) {
  const std::string host = host_name();
  std::vector<int64_t> dead;
  Statement running(db_, "SELECT number, host, pid, heartbeat FROM trials WHERE state = 'running'");
  while (running.step()) {
    const bool same_host = running.text(1) == host;
    const auto pid = static_cast<pid_t>(running.integer(2));
    const bool gone = same_host && kill(pid, 0) != 0 && errno == ESRCH;
    if (gone || running.real(3) < now_seconds() - stale_after_s) dead.push_back(running.integer(0));
  }
  for (const int64_t number : dead) {
    Statement(db_,
              "UPDATE trials SET state = 'failed', retriable = 1, "
              "error = 'its worker ' || worker || ' stopped without finishing it' WHERE number = ?")
        .bind(1, number)
        .step();
  }
}

std::optional<Trial> StudyStore::claim(const ClaimRules& rules, const Proposal& propose) {
  execute("BEGIN IMMEDIATE");
  try {
    reap_dead_workers(rules.stale_after_s);
    const std::string host = host_name();
    const auto pid = static_cast<int64_t>(getpid());
    std::optional<int64_t> number;
    {
      Statement retry(db_,
                      "SELECT number FROM trials WHERE state = 'failed' AND retriable = 1 AND attempts <= ? "
                      "ORDER BY number LIMIT 1");
      retry.bind(1, rules.max_retries);
      if (retry.step()) number = retry.integer(0);
    }
    if (number) {
      Statement(db_, "DELETE FROM intermediate WHERE trial = ?").bind(1, *number).step();
      Statement(db_,
                "UPDATE trials SET state = 'running', attempts = attempts + 1, retriable = 0, value = NULL, "
                "epochs = 0, error = '', worker = ?, host = ?, pid = ?, heartbeat = ? WHERE number = ?")
          .bind(1, worker_name())
          .bind(2, host)
          .bind(3, pid)
          .bind(4, now_seconds())
          .bind(5, *number)
          .step();
    } else {
      Statement count(db_, "SELECT count(*) FROM trials");
      count.step();
      const int64_t next = count.integer(0);
      if (next >= rules.budget) {
        execute("COMMIT");
        return std::nullopt;
      }
      const Assignment params = propose(trials(), next);
      Statement(db_,
                "INSERT INTO trials (number, state, params, worker, host, pid, heartbeat) "
                "VALUES (?, 'running', ?, ?, ?, ?, ?)")
          .bind(1, next)
          .bind(2, params.dump())
          .bind(3, worker_name())
          .bind(4, host)
          .bind(5, pid)
          .bind(6, now_seconds())
          .step();
      number = next;
    }
    Statement get(db_, std::string("SELECT ") + kTrialColumns + " FROM trials WHERE number = ?");
    get.bind(1, *number);
    get.step();
    Trial trial = read_trial(get);
    execute("COMMIT");
    return trial;
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void StudyStore::heartbeat(int64_t number) {
  Statement(db_, "UPDATE trials SET heartbeat = ? WHERE number = ? AND state = 'running'")
      .bind(1, now_seconds())
      .bind(2, number)
      .step();
}

void StudyStore::set_run_dir(int64_t number, const std::string& run_dir) {
  Statement(db_, "UPDATE trials SET run_dir = ? WHERE number = ?").bind(1, run_dir).bind(2, number).step();
}

void StudyStore::report(int64_t number, int64_t epoch, double value) {
  execute("BEGIN IMMEDIATE");
  try {
    Statement insert(db_, "INSERT OR REPLACE INTO intermediate (trial, epoch, value) VALUES (?, ?, ?)");
    insert.bind(1, number).bind(2, epoch);
    std::isfinite(value) ? insert.bind(3, value) : insert.bind_null(3);
    insert.step();
    Statement(db_, "UPDATE trials SET epochs = ?, heartbeat = ? WHERE number = ?")
        .bind(1, epoch)
        .bind(2, now_seconds())
        .bind(3, number)
        .step();
    execute("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

std::vector<double> StudyStore::values_at(int64_t epoch, int64_t except_number) {
  std::vector<double> values;
  Statement s(db_, "SELECT value FROM intermediate WHERE epoch = ? AND trial != ? AND value IS NOT NULL");
  s.bind(1, epoch).bind(2, except_number);
  while (s.step()) values.push_back(s.real(0));
  return values;
}

void StudyStore::finish(int64_t number, TrialState state, std::optional<double> value, const std::string& error,
                        bool retriable) {
  Statement s(db_, "UPDATE trials SET state = ?, value = ?, error = ?, retriable = ? WHERE number = ?");
  s.bind(1, std::string(state_name(state)));
  value && std::isfinite(*value) ? s.bind(2, *value) : s.bind_null(2);
  s.bind(3, error).bind(4, int64_t(retriable ? 1 : 0)).bind(5, number).step();
}

std::vector<Trial> StudyStore::trials() {
  std::vector<Trial> out;
  Statement s(db_, std::string("SELECT ") + kTrialColumns + " FROM trials ORDER BY number");
  while (s.step()) out.push_back(read_trial(s));
  return out;
}

std::string StudyStore::fingerprint() {
  Statement s(db_, "SELECT value FROM study WHERE key = 'fingerprint'");
  if (!s.step()) throw DataError(path_ + ": not a dltrain study database (no study record)");
  return s.text(0);
}

bool StudyStore::any_running() {
  Statement s(db_, "SELECT count(*) FROM trials WHERE state = 'running'");
  s.step();
  return s.integer(0) > 0;
}

}  // namespace dltrain::search
