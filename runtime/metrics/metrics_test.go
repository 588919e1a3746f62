package metrics

import (
	"strings"
	"testing"
)

func TestWriteText(t *testing.T) {
	r := NewRegistry()
	r.Add("req_total", "Requests.", 1, "code", "200")
	r.Add("req_total", "Requests.", 2, "code", "400")
	r.Add("req_total", "Requests.", 1, "code", "200")
	r.Set("model_info", "Model.", 1, "model_version", `v"1\`)
	r.GaugeFunc("queue_depth", "Queued texts.", func() float64 { return 3 })
	for _, v := range []float64{0.5, 1, 7, 100} {
		r.Observe("batch_size", "Batch sizes.", []float64{1, 8}, v)
	}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `# HELP batch_size Batch sizes.
# TYPE batch_size histogram
batch_size_bucket{le="1"} 2
batch_size_bucket{le="8"} 3
batch_size_bucket{le="+Inf"} 4
batch_size_sum 108.5
batch_size_count 4
# HELP model_info Model.
# TYPE model_info gauge
model_info{model_version="v\"1\\"} 1
# HELP queue_depth Queued texts.
# TYPE queue_depth gauge
queue_depth 3
# HELP req_total Requests.
# TYPE req_total counter
req_total{code="200"} 2
req_total{code="400"} 2
`
	if b.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	r.Reset("model_info")
	r.Set("model_info", "Model.", 1, "model_version", "v2")
	b.Reset()
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), `v\"1`) || !strings.Contains(b.String(), `model_info{model_version="v2"} 1`) {
		t.Fatalf("reset gauge kept its old series:\n%s", b.String())
	}
}
