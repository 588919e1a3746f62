package greengrass

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"

	"github.com/slm-project/slm/compiler/ir"
)

// The log manager ships the runtime's metrics file (CloudWatch EMF, one record a line) to the
// component's log group, /aws/greengrass/UserComponent/<region>/<component>, where CloudWatch extracts
// the metrics the alarms watch.
const (
	logManager        = "aws.greengrass.LogManager"
	logManagerVersion = "2.3.5"
	metricsDir        = "metrics"
	metricsFile       = "metrics.log"
	// greengrassRoot is the nucleus' default root; the log manager needs the metrics directory as an
	// absolute path.
	greengrassRoot = "/greengrass/v2"
)

// Field names are the API's (aws greengrassv2 create-deployment --cli-input-json); field order fixes
// the JSON key order.
type createDeployment struct {
	TargetArn           string                   `json:"targetArn"`
	DeploymentName      string                   `json:"deploymentName"`
	Components          map[string]componentSpec `json:"components"`
	IotJobConfiguration iotJobConfiguration      `json:"iotJobConfiguration"`
	DeploymentPolicies  deploymentPolicies       `json:"deploymentPolicies"`
	Tags                map[string]string        `json:"tags"`
}

type componentSpec struct {
	ComponentVersion    string               `json:"componentVersion"`
	ConfigurationUpdate *configurationUpdate `json:"configurationUpdate,omitempty"`
}

type configurationUpdate struct {
	Merge string   `json:"merge,omitempty"`
	Reset []string `json:"reset,omitempty"`
}

type iotJobConfiguration struct {
	JobExecutionsRolloutConfig rolloutConfig `json:"jobExecutionsRolloutConfig"`
	AbortConfig                abortConfig   `json:"abortConfig"`
	TimeoutConfig              timeoutConfig `json:"timeoutConfig"`
}

type rolloutConfig struct {
	ExponentialRate  exponentialRate `json:"exponentialRate"`
	MaximumPerMinute int             `json:"maximumPerMinute"`
}

type exponentialRate struct {
	BaseRatePerMinute    int                  `json:"baseRatePerMinute"`
	IncrementFactor      float64              `json:"incrementFactor"`
	RateIncreaseCriteria rateIncreaseCriteria `json:"rateIncreaseCriteria"`
}

type rateIncreaseCriteria struct {
	NumberOfSucceededThings int `json:"numberOfSucceededThings"`
}

type abortConfig struct {
	CriteriaList []abortCriteria `json:"criteriaList"`
}

type abortCriteria struct {
	FailureType               string  `json:"failureType"`
	Action                    string  `json:"action"`
	ThresholdPercentage       float64 `json:"thresholdPercentage"`
	MinNumberOfExecutedThings int     `json:"minNumberOfExecutedThings"`
}

type timeoutConfig struct {
	InProgressTimeoutInMinutes int `json:"inProgressTimeoutInMinutes"`
}

type deploymentPolicies struct {
	FailureHandlingPolicy         string                `json:"failureHandlingPolicy"`
	ComponentUpdatePolicy         componentUpdatePolicy `json:"componentUpdatePolicy"`
	ConfigurationValidationPolicy validationPolicy      `json:"configurationValidationPolicy"`
}

type componentUpdatePolicy struct {
	TimeoutInSeconds int    `json:"timeoutInSeconds"`
	Action           string `json:"action"`
}

type validationPolicy struct {
	TimeoutInSeconds int `json:"timeoutInSeconds"`
}

var accountRE = regexp.MustCompile(`^[0-9]{12}$`)

// componentUpdateTimeout is how long components get to reach a safe point once notified of an update.
const componentUpdateTimeout = 60

// stage is one deployment of a target: the whole release, or in a staged rollout the canary group
// (stage 1) and then the fleet (stage 2), each with its own IoT job configuration.
type stage struct {
	name       string // "", "canary" or "fleet"
	thingGroup string
	rollout    ir.Rollout
}

// deployment writes the target's CreateDeployment request for one stage: the thing group, the exact
// component versions (the model too, so the request alone says what runs), the configuration update,
// the deployment policies and the IoT job configuration from the rollout block.
func (t *target) deployment(app, model Component, sg stage) ([]byte, Deployment, error) {
	e, pr := t.e, t.p.Project
	if !accountRE.MatchString(pr.Account) {
		return nil, Deployment{}, fmt.Errorf("%s: edge_target %q: a deployment targets its thing group by ARN, which needs the AWS account: set account in the project block", e.Range, e.Name)
	}
	if pr.Region == "" {
		return nil, Deployment{}, fmt.Errorf("%s: edge_target %q: a deployment targets its thing group by ARN, which needs the region: set region in the project block", e.Range, e.Name)
	}
	arn := fmt.Sprintf("arn:aws:iot:%s:%s:thinggroup/%s", pr.Region, pr.Account, sg.thingGroup)

	// The merge carries the deployment's own values; every other key of the recipe's defaults is reset,
	// because Greengrass keeps a device's existing value when only a default changes. Resetting them on
	// every deployment is what makes a changed default reach the fleet (and is a no-op otherwise).
	merge := map[string]any{cfgProject: pr.Name, cfgEnvironment: pr.Environment, cfgEdgeTarget: e.Name}
	mergeJSON, err := json.Marshal(merge)
	if err != nil {
		return nil, Deployment{}, fmt.Errorf("greengrass backend: %w", err)
	}
	defaults := []string{cfgListen, cfgThreads, cfgMaxBatch, cfgWorkers, cfgMaxWait, cfgMaxQueue, cfgLogLevel, cfgMetricsNamespace}
	var reset []string
	for _, k := range defaults {
		if _, merged := merge[k]; !merged {
			reset = append(reset, "/"+k)
		}
	}
	sort.Strings(reset)

	logCfg := map[string]any{
		"logsUploaderConfiguration": map[string]any{
			"componentLogsConfigurationMap": map[string]any{
				e.ComponentName: map[string]any{
					"logFileDirectoryPath": greengrassRoot + "/work/" + e.ComponentName + "/" + metricsDir,
					"logFileRegex":         `^metrics.*\.log$`,
					"minimumLogLevel":      "INFO",
				},
			},
		},
		"periodicUploadIntervalSec": 60,
	}
	logJSON, err := json.Marshal(logCfg)
	if err != nil {
		return nil, Deployment{}, fmt.Errorf("greengrass backend: %w", err)
	}

	ro := sg.rollout
	name, request := pr.PipelineName+"-"+ir.ID(e.Name), "deployments/"+ir.ID(e.Name)+".json"
	if sg.name == "canary" {
		name, request = name+"-canary", "deployments/"+ir.ID(e.Name)+"-canary.json"
	}
	req := createDeployment{
		TargetArn:      arn,
		DeploymentName: name,
		Components: map[string]componentSpec{
			app.Name:   {ComponentVersion: app.Version, ConfigurationUpdate: &configurationUpdate{Merge: string(mergeJSON), Reset: reset}},
			model.Name: {ComponentVersion: model.Version},
			logManager: {ComponentVersion: logManagerVersion, ConfigurationUpdate: &configurationUpdate{Merge: string(logJSON)}},
		},
		IotJobConfiguration: iotJobConfiguration{
			JobExecutionsRolloutConfig: rolloutConfig{
				ExponentialRate: exponentialRate{
					BaseRatePerMinute:    ro.BaseRatePerMinute,
					IncrementFactor:      ro.IncrementFactor,
					RateIncreaseCriteria: rateIncreaseCriteria{NumberOfSucceededThings: ro.SucceededThingsToIncrease},
				},
				MaximumPerMinute: ro.MaxPerMinute,
			},
			AbortConfig:   abortConfig{CriteriaList: abortCriteriaList(ro)},
			TimeoutConfig: timeoutConfig{InProgressTimeoutInMinutes: ro.TimeoutMinutes},
		},
		DeploymentPolicies: deploymentPolicies{
			FailureHandlingPolicy:         e.FailureHandling,
			ComponentUpdatePolicy:         componentUpdatePolicy{TimeoutInSeconds: componentUpdateTimeout, Action: ro.ComponentUpdatePolicy},
			ConfigurationValidationPolicy: validationPolicy{TimeoutInSeconds: ro.ConfigValidationTimeout},
		},
		Tags: map[string]string{
			"project": pr.Name, "environment": pr.Environment, "managed-by": "slm", "slm-source-digest": t.p.SourceDigest,
		},
	}
	b, err := encode(req)
	if err != nil {
		return nil, Deployment{}, err
	}
	dep := Deployment{
		EdgeTarget: e.Name,
		Name:       req.DeploymentName,
		TargetARN:  arn,
		Request:    request,
		Stage:      sg.name,
		Components: []string{app.Name + " " + app.Version, model.Name + " " + model.Version, logManager + " " + logManagerVersion},
		Guards:     e.Guards,
		Rollout: fmt.Sprintf("%d/min x%g after %d succeeded, max %d/min; abort at %g%% failed of >= %d; timeout %d min; failure %s",
			ro.BaseRatePerMinute, ro.IncrementFactor, ro.SucceededThingsToIncrease, ro.MaxPerMinute, ro.AbortFailurePercent,
			ro.AbortMinExecutedThings, ro.TimeoutMinutes, e.FailureHandling),
	}
	sort.Strings(dep.Components)
	return b, dep, nil
}

// abortCriteriaList is one IoT job abort criterion per failure type the
// rollout counts (FAILED unless abort_on says otherwise).
func abortCriteriaList(ro ir.Rollout) []abortCriteria {
	kinds := ro.AbortOn
	if len(kinds) == 0 {
		kinds = []string{"FAILED"}
	}
	var out []abortCriteria
	for _, k := range kinds {
		out = append(out, abortCriteria{FailureType: k, Action: "CANCEL", ThresholdPercentage: ro.AbortFailurePercent, MinNumberOfExecutedThings: ro.AbortMinExecutedThings})
	}
	return out
}
