#pragma once
// One step of a store's schema: its version number and the SQL that brings the schema to it.
// Both stores keep an append-only list of these (a released step is never edited).
namespace parley::store {

struct SchemaMigration {
    int version;
    const char* sql;
};

}  // namespace parley::store
