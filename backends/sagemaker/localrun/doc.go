// Package localrun executes a compiled SageMaker pipeline definition on one
// machine, without Docker, AWS or the SageMaker SDK: the definition `slm
// plan` writes is the program, not the HCL it came from (SPEC.md section 6).
//
// What it emulates: steps in dependency order (Get references, DependsOn,
// Condition branches), with independent branches in parallel; pipeline
// parameters (defaults and overrides, typed and checked against EnumValues);
// Get, Std:Join and Std:JsonGet on property files; Condition steps with
// SageMaker's comparison semantics; Fail steps; RegisterModel into a local
// model registry (registry.go); CacheConfig (cache.go); and S3 as a
// directory tree, one directory per bucket (storage.go). Processing steps run
// the slm step runner the definition uploads, with the container's arguments
// and environment and /opt/ml paths mapped into a per-step directory
// (processing.go); the training step runs the uploaded training code with the
// SageMaker training toolkit's contract (training.go).
//
// Anything else the definition holds (another step type, a container
// entrypoint that is not slm's, an expression it cannot evaluate) is refused
// before the first step starts, each construct named (check.go).
package localrun
