#pragma once
// The subcommands; each returns the process exit code (0 ok, 1 run failed, 2
// usage error).
#include "load_options.hpp"

namespace parley::load {

int run_fanout(const LoadOptions& o);
int run_idle(const LoadOptions& o);
int run_joins(const LoadOptions& o);
int run_tokens(const LoadOptions& o);
int run_wrk_script(const LoadOptions& o);

}  // namespace parley::load
