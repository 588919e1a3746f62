package main

import (
	"errors"
	"fmt"

	"github.com/slm-project/slm/stdlib/prepare"
	"github.com/spf13/cobra"
)

// prepareArgs are the flags of `slm step prepare` (SPEC.md section 2.1).
type prepareArgs struct {
	config, input, output, report string
}

func newStepPrepareCommand() *cobra.Command {
	var a prepareArgs
	cmd := &cobra.Command{
		Use:   "prepare --config CONFIG.json --input DIR_OR_FILE --output DIR [--report DIR]",
		Short: "Check, clean, de-duplicate and split a raw dataset",
		Long: "Reads raw JSONL or CSV, checks the dataset's expectations (exit 1 with a report naming each\n" +
			"violation), cleans and de-duplicates the texts and writes a seeded stratified split (or the\n" +
			"split each row's split.field names): train/data.jsonl, validation/data.jsonl,\n" +
			"test/data.jsonl, stats.json and report.md.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := prepare.LoadConfig(a.config)
			if err != nil {
				return err
			}
			st, err := prepare.Run(cmd.Context(), cfg, prepare.Paths{Input: a.input, Output: a.output, Report: a.report})
			var ee *prepare.ExpectationError
			if errors.As(err, &ee) {
				_, _ = fmt.Fprint(cmd.ErrOrStderr(), ee.Report)
				return err
			}
			if err != nil {
				return fmt.Errorf("prepare: %w", err)
			}
			cmd.Printf("prepare: %d rows read, %d kept: train %d, validation %d, test %d (%s)\n",
				st.Input.Rows, st.Input.KeptRows, st.Splits.Train.Rows, st.Splits.Validation.Rows, st.Splits.Test.Rows, a.output)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&a.config, "config", "", "prepare.json written by the compiler")
	f.StringVar(&a.input, "input", "", "a raw data file, or a directory of *.jsonl / *.csv files read in lexical order (several datasets: one subdirectory per dataset name)")
	f.StringVar(&a.output, "output", "", "directory for the splits (and stats.json and report.md unless --report is set)")
	f.StringVar(&a.report, "report", "", "directory for stats.json and report.md (default: --output)")
	for _, name := range []string{"config", "input", "output"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}
