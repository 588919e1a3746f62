package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/slm-project/slm/stdlib/baseline"
)

func newStepBaselineCommand() *cobra.Command {
	var cfgPath, output, region string
	cmd := &cobra.Command{
		Use:   "baseline --config CONFIG.json --output DIR --region REGION",
		Short: "Read the latest approved model's metrics from the registry for a champion/challenger gate",
		Long: "Writes DIR/baseline.json: found (an approved package exists), its ARN, its metrics and the\n" +
			"bounds the gate compares the new model with (the approved value plus each threshold's vs_approved).\n" +
			"Without an approved package every bound passes: the first model is accepted explicitly.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := baseline.LoadConfig(cfgPath)
			if err != nil {
				return err
			}
			reg, err := baseline.NewAWS(cmd.Context(), region)
			if err != nil {
				return err
			}
			res, err := baseline.Run(cmd.Context(), cfg, reg)
			if err != nil {
				return fmt.Errorf("baseline: %w", err)
			}
			if err := baseline.Write(output, res); err != nil {
				return err
			}
			if res.Found {
				cmd.Printf("baseline: approved %s; bounds %v\n", res.ModelPackageArn, res.Bounds)
			} else {
				cmd.Printf("baseline: no approved package in %s yet: the first model passes\n", cfg.ModelPackageGroup)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&cfgPath, "config", "", "baseline.json written by the compiler")
	cmd.Flags().StringVar(&output, "output", "", "directory for baseline.json")
	cmd.Flags().StringVar(&region, "region", "", "the registry's AWS region")
	for _, n := range []string{"config", "output", "region"} {
		_ = cmd.MarkFlagRequired(n)
	}
	return cmd
}
