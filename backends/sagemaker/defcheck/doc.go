// Package defcheck checks SageMaker pipeline definitions (the JSON CreatePipeline takes, Version
// 2020-12-01) before they leave the compiler.
//
// A definition passes when it validates against a corrected copy of the schema AWS publishes
// (pipeline-definition.schema.json, generated from the stale upstream schema by the named patches in
// patches_test.go; README.md documents each correction) and passes the checks a schema cannot
// express: every Get resolves, names are unique, DependsOn targets exist, the step graph is acyclic,
// Fail steps say why, retry policies and cache expiry are in range, and the whole definition fits
// the inline size limit.
package defcheck
