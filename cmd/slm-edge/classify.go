package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/slm-project/slm/runtime/classifier"
	"github.com/slm-project/slm/runtime/ortenv"
)

func classifyCommand(stdout io.Writer) *cobra.Command {
	var bundleDir, ortLib string
	var threads int
	var withLogits bool
	cmd := &cobra.Command{
		Use:   "classify --bundle DIR TEXT...",
		Short: "Classify texts once and print one JSON object per text (the answer's fields as the HTTP API's)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, texts []string) error {
			if err := applyEnv(cmd.Flags(), []envFlag{{"bundle", envName("bundle")}, {"threads", envName("threads")}}); err != nil {
				return err
			}
			if bundleDir == "" {
				return fmt.Errorf("--bundle (or $%s) is required", envName("bundle"))
			}
			lib, err := ortenv.Find(ortLib)
			if err != nil {
				return err
			}
			c, err := classifier.Open(cmd.Context(), bundleDir, classifier.Options{ORTLibrary: lib, IntraOpThreads: threads})
			if err != nil {
				return err
			}
			defer c.Close()
			preds, err := c.Classify(cmd.Context(), texts)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(stdout)
			for i, p := range preds {
				if !withLogits {
					p.Logits = nil
				}
				line := struct {
					Text         string `json:"text"`
					ModelVersion string `json:"model_version"`
					classifier.Prediction
				}{texts[i], c.ModelVersion(), p}
				if err := enc.Encode(line); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&bundleDir, "bundle", "", "model bundle directory (required)")
	cmd.Flags().StringVar(&ortLib, "ort-lib", "", "ONNX Runtime library (default: $SLM_ORT_LIB, then next to the binary)")
	cmd.Flags().IntVar(&threads, "threads", 1, "ONNX Runtime intra-op threads")
	cmd.Flags().BoolVar(&withLogits, "logits", false, "also print the model's raw logits (indexed like labels.json)")
	return cmd
}
