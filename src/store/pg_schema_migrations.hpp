#pragma once
// The PostgreSQL schema as an ordered list of migrations, recorded in table schema_version.
// All pending ones run in one transaction under a transaction-scoped advisory lock, so nodes
// that start together never race: the first migrates, the others wait and find nothing to do.
namespace parley::store {

class PgConnection;

int latest_pg_schema_version();

// Brings the schema up to latest_pg_schema_version(). Throws std::runtime_error, leaving the
// database untouched, when it was migrated by a newer Parley.
void migrate_pg_schema(PgConnection& conn);

// Advisory-lock keys (pg_advisory_xact_lock), one per thing that must happen once at a time
// across the cluster. Arbitrary constants, chosen to stay clear of other applications' keys.
inline constexpr long long kMigrationLock = 0x7061726c65790001;  // "parley" + 1
inline constexpr long long kRoomQuotaLock = 0x7061726c65790002;
inline constexpr long long kLoggingQuotaLock = 0x7061726c65790003;
inline constexpr long long kTokenKeyLock = 0x7061726c65790004;

}  // namespace parley::store
