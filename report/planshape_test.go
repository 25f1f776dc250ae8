package report

import (
	"testing"

	"whet/prompt"
)

func TestPlanShape(t *testing.T) {
	r := prompt.Run{Versions: make([]prompt.RunVersion, 2), Targets: []string{"echo"}, Cases: make([]prompt.Case, 20), Repeat: 3}
	if got := PlanShape(r); got != "2 versions × 1 target × 20 cases × 3 repeats" {
		t.Fatalf("PlanShape = %q", got)
	}
	if got := PlanShape(prompt.Run{Versions: make([]prompt.RunVersion, 1), Targets: []string{"a", "b"}}); got != "1 version × 2 targets × 1 case × 1 repeat" {
		t.Fatalf("PlanShape without cases or repeats = %q", got)
	}
}
