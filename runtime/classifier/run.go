package classifier

import (
	"context"
	"fmt"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/slm-project/slm/runtime/tokenizer"
)

// Logits runs the model on a padded batch and returns the logits row-major,
// [len(encs)][len(labels)]. A model whose answers would depend on the batch
// (dynamically quantised int8, or int8 that does not say how it was
// quantised: bundle.Manifest.BatchIndependent) is run one text at a time, so
// no text's answer depends on what it was batched with.
func (c *Classifier) Logits(ctx context.Context, encs []tokenizer.Encoding) ([]float32, error) {
	if c.session == nil {
		return nil, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if c.batchIndependent || len(encs) == 1 {
		return c.logits(ctx, encs)
	}
	out := make([]float32, 0, len(encs)*len(c.bundle.Labels))
	for i := range encs {
		row, err := c.logits(ctx, encs[i:i+1])
		if err != nil {
			return nil, err
		}
		out = append(out, row...)
	}
	return out, nil
}

// logits runs one padded batch.
func (c *Classifier) logits(ctx context.Context, encs []tokenizer.Encoding) ([]float32, error) {
	width := 0
	for _, e := range encs {
		width = max(width, len(e.IDs))
	}
	batch := int64(len(encs))
	shape := ort.NewShape(batch, int64(width))
	inputs := make([]ort.Value, len(c.inputs))
	defer func() {
		for _, v := range inputs {
			if v != nil {
				_ = v.Destroy()
			}
		}
	}()
	for k, name := range c.inputs {
		data := make([]int64, int(batch)*width)
		for i, e := range encs {
			row := data[i*width : (i+1)*width]
			var src []int64
			switch name {
			case "input_ids":
				src = e.IDs
				for j := len(src); j < width; j++ {
					row[j] = c.tok.PadID()
				}
			case "attention_mask":
				src = e.AttentionMask
			case "token_type_ids":
				src = e.TypeIDs
			}
			copy(row, src)
		}
		t, err := ort.NewTensor(shape, data)
		if err != nil {
			return nil, fmt.Errorf("create %s tensor: %w", name, err)
		}
		inputs[k] = t
	}
	outputs := []ort.Value{nil}
	if err := c.run(ctx, inputs, outputs); err != nil {
		return nil, err
	}
	defer outputs[0].Destroy()
	out, ok := outputs[0].(*ort.Tensor[float32])
	if !ok {
		return nil, fmt.Errorf("output %q is %v, want a float32 tensor", c.bundle.Manifest.Output, outputs[0].GetONNXType())
	}
	want := ort.NewShape(batch, int64(len(c.bundle.Labels)))
	if !out.GetShape().Equals(want) {
		return nil, fmt.Errorf("output %q has shape %v, want %v (batch, labels in labels.json)", c.bundle.Manifest.Output, out.GetShape(), want)
	}
	return append([]float32(nil), out.GetData()...), nil
}

// run calls the session, terminating it when ctx ends first.
func (c *Classifier) run(ctx context.Context, inputs, outputs []ort.Value) error {
	if ctx.Done() == nil {
		if err := c.session.Run(inputs, outputs); err != nil {
			return fmt.Errorf("run model: %w", err)
		}
		return nil
	}
	ro, err := ort.NewRunOptions()
	if err != nil {
		return fmt.Errorf("create run options: %w", err)
	}
	defer ro.Destroy()
	stop := context.AfterFunc(ctx, func() { _ = ro.Terminate() })
	err = c.session.RunWithOptions(inputs, outputs, ro)
	stop()
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("run model: %w", ctxErr)
	}
	if err != nil {
		return fmt.Errorf("run model: %w", err)
	}
	return nil
}
