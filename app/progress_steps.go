// The progress of a Kubernetes compute operation (create, attach, migrate,
// cleanup): each step with its own state, elapsed time and Azure's words,
// and retry and cleanup after a failure.

package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/amlaks/amlaks/rules"
)

// stepped reports whether an operation is a v2 one with steps of its own.
func stepped(st *rules.OperationState) bool {
	return st != nil && (st.Kind == rules.KindKubernetes || len(st.Steps) > 0)
}

// actionWords says what a v2 operation does.
func actionWords(a rules.Action) string {
	switch a {
	case rules.ActionCreate:
		return "Creating the cluster, installing the Azure ML extension and attaching it"
	case rules.ActionAttach:
		return "Installing or checking the Azure ML extension and attaching the cluster"
	case rules.ActionMigrate:
		return "Migrating the AKS compute (v1) to a Kubernetes compute"
	case rules.ActionCleanup:
		return "Removing what the failed operation made"
	}
	return "Working"
}

// stepClass is a step's CSS class, from its state.
func stepClass(s rules.StepState) string {
	switch s {
	case rules.StepSucceeded, rules.StepSkipped:
		return "step ok"
	case rules.StepFailed:
		return "step failed"
	case rules.StepRunning:
		return "step running"
	}
	return "step pending"
}

// renderSteps draws a v2 operation: its state, its steps, what is left in
// Azure after a failure, and the buttons to retry or clean up.
func (p *Progress) renderSteps() app.UI {
	st := p.state
	cls := "state running"
	switch {
	case st.Succeeded:
		cls = "state ok"
	case st.Done:
		cls = "state failed"
	}
	since := 0
	if !st.Done && !p.fetched.IsZero() {
		since = int(time.Since(p.fetched).Seconds())
	}
	elapsed := st.ElapsedSec + since
	return app.Elem("div").ID("v2-progress").DataSet("action", string(st.Action)).Body(
		app.Elem("p").ID("state").Class(cls).Attr("role", "status").Aria("live", "polite").DataSet("state", st.State).Text(st.State),
		app.Elem("p").ID("action").Text(actionWords(st.Action)+"."),
		app.Elem("ol").ID("steps").Class("steps").Body(app.Range(st.Steps).Slice(func(i int) app.UI {
			s := st.Steps[i]
			el := s.ElapsedSec
			if s.State == rules.StepRunning {
				el += since
			}
			timing := ""
			switch s.State {
			case rules.StepRunning:
				timing = fmt.Sprintf("%s elapsed, usually about %s.", clock(el), minutes(s.ExpectedSec))
			case rules.StepSucceeded, rules.StepFailed:
				timing = fmt.Sprintf("Took %s.", clock(el))
			case rules.StepPending:
				timing = fmt.Sprintf("Waiting; usually takes about %s.", minutes(s.ExpectedSec))
			}
			return app.Li().ID("step-"+string(s.Name)).Class(stepClass(s.State)).DataSet("state", string(s.State)).Body(
				app.Elem("span").Class("step-title").Text(orWords(s.Title, string(s.Name))),
				app.Text(" "),
				app.Elem("span").Class("step-state").Text(string(s.State)),
				app.If(timing != "", func() app.UI { return app.Elem("p").Class("muted step-time").Text(timing) }),
				app.If(s.Message != "", func() app.UI { return app.Elem("p").Class("step-message wrap").Text(s.Message) }),
				app.If(len(s.Errors) > 0, func() app.UI {
					return app.Ul().Class("findings step-errors").Body(app.Range(s.Errors).Slice(func(j int) app.UI {
						return app.Li().Class("finding error").Text(s.Errors[j])
					}))
				}),
				app.If(s.Manual != "", func() app.UI {
					return app.Elem("div").Body(app.Elem("p").Text("Run this yourself:"), app.Elem("pre").Class("export").Attr("tabindex", "0").Text(s.Manual))
				}),
			)
		})),
		app.If(!st.Done, func() app.UI {
			return app.Elem("p").ID("elapsed").Text(fmt.Sprintf("%s elapsed in all.", clock(elapsed)))
		}).Else(func() app.UI {
			return app.Elem("p").ID("elapsed").Text(fmt.Sprintf("Took %s in all.", clock(elapsed)))
		}),
		app.If(len(st.Errors) > 0, func() app.UI {
			return app.Ul().ID("operation-errors").Class("findings").Body(app.Range(st.Errors).Slice(func(i int) app.UI {
				return app.Li().Class("finding error").Text(st.Errors[i])
			}))
		}),
		app.If(st.Done && !st.Succeeded && st.Action != rules.ActionCleanup, p.renderRecovery),
		app.If(len(st.Left) > 0, func() app.UI {
			return app.Elem("div").ID("left").Body(
				app.Elem("p").Text("What is in Azure now:"),
				app.Ul().Body(app.Range(st.Left).Slice(func(i int) app.UI { return app.Li().Class("wrap").Text(st.Left[i]) })),
			)
		}),
		app.If(st.Succeeded && st.Action == rules.ActionCleanup, func() app.UI {
			return app.Elem("div").ID("cleanup-done").Class("alert ok").Attr("role", "status").Text("Removed what the failed operation made.")
		}).ElseIf(st.Succeeded, p.renderNext),
		app.If(st.Done, func() app.UI {
			return app.Elem("p").Body(app.Elem("a").ID("to-inventory").Attr("href", keepEmbed(p.inventoryURL(), p.embed)).Text("See the workspace's clusters"))
		}),
	)
}

// renderRecovery offers, after a failed step, to run it again or to remove
// what the operation made: never a half-made thing nobody knows about.
func (p *Progress) renderRecovery() app.UI {
	st := p.state
	failed := string(st.FailedStep)
	for _, s := range st.Steps {
		if s.Name == st.FailedStep && s.Title != "" {
			failed = strings.ToLower(s.Title[:1]) + s.Title[1:]
		}
	}
	busy := p.cleaning || p.retrying
	return app.Elem("div").ID("recovery").Class("cleanup").Body(
		app.Elem("p").Text(fmt.Sprintf("The step %q failed. What the earlier steps made is kept, so you can run it again once the cause is fixed, or remove it.", failed)),
		app.Elem("div").Class("actions").Body(
			app.If(st.CanRetry, func() app.UI {
				return disabledIf(app.Elem("button").ID("retry-button").Attr("type", "button").Class("primary"), busy).
					Text(map[bool]string{true: "Retrying…", false: "Retry from this step"}[p.retrying]).
					OnClick(func(ctx app.Context, e app.Event) { p.recover("retry") })
			}),
			app.If(st.CanCleanup, func() app.UI {
				return disabledIf(app.Elem("button").ID("cleanup-button").Attr("type", "button").Class("danger"), busy).
					Text(map[bool]string{true: "Removing…", false: "Remove what amlaks made"}[p.cleaning]).
					OnClick(func(ctx app.Context, e app.Event) { p.recover("cleanup") })
			}),
		),
	)
}

// recover posts a retry or a cleanup of the failed v2 operation, then
// follows the operation again.
func (p *Progress) recover(what string) {
	ctx := p.self
	if what == "retry" {
		p.retrying = true
	} else {
		p.cleaning = true
	}
	cleanup := what == "cleanup"
	path := rules.RetryPath(p.ref, p.name)
	if cleanup {
		path = rules.CleanupPath(p.ref, p.name)
	}
	ctx.Async(func() {
		err := call("POST", path, struct{}{}, nil) // a RetryRequest of {}: the proxy holds the request
		ctx.Dispatch(func(ctx app.Context) {
			p.retrying, p.cleaning = false, false
			if err != nil {
				p.err = message(err)
				return
			}
			p.err, p.notified = "", false
			p.cleaned = p.cleaned || cleanup               // once all is removed, Azure knows no such compute
			p.state.Done, p.state.Succeeded = false, false // until Azure says how the new run stands
			p.kick = 5
			p.poll(ctx)
		})
	})
}

func minutes(sec int) string {
	if sec < 90 {
		return "a minute"
	}
	return fmt.Sprintf("%d minutes", (sec+30)/60)
}
