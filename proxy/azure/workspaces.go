package azure

import (
	"context"
	"errors"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"

	"github.com/amlaks/amlaks/rules"
)

// Workspaces lists the Azure ML workspaces of Options.Subscriptions, or of
// every enabled subscription the identity can see when that is empty. A
// subscription in which the identity may not list workspaces is skipped and
// logged.
func (c *Client) Workspaces(ctx context.Context) ([]rules.Workspace, error) {
	subs, err := c.subscriptions(ctx)
	if err != nil {
		return nil, err
	}
	var out []rules.Workspace
	for _, sub := range subs {
		ws, err := c.workspacesIn(ctx, sub)
		var re *rules.Error
		if errors.As(err, &re) && re.Code == rules.ErrForbidden && len(subs) > 1 {
			c.logf("azure: skipping subscription %s: %s", sub, re.Message)
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ws...)
	}
	return out, nil
}

// subscriptions returns Options.Subscriptions, or lists the enabled ones.
func (c *Client) subscriptions(ctx context.Context) ([]string, error) {
	if len(c.opts.Subscriptions) > 0 {
		return c.opts.Subscriptions, nil
	}
	var out []string
	pager := c.subs.NewListPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, mapError(err, "")
		}
		for _, s := range page.Value {
			if s == nil || deref(s.SubscriptionID) == "" {
				continue
			}
			if s.State != nil && *s.State != armsubscriptions.SubscriptionStateEnabled {
				continue
			}
			out = append(out, *s.SubscriptionID)
		}
	}
	return out, nil
}

// workspacesIn lists the workspaces of one subscription.
func (c *Client) workspacesIn(ctx context.Context, subscription string) ([]rules.Workspace, error) {
	sc, err := c.forSubscription(subscription)
	if err != nil {
		return nil, err
	}
	var out []rules.Workspace
	pager := sc.workspaces.NewListBySubscriptionPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, mapError(err, "")
		}
		for _, w := range page.Value {
			if ws, ok := workspace(w); ok {
				c.keepWorkspaceLocation(ws)
				out = append(out, ws)
			}
		}
	}
	return out, nil
}

// Workspace reads one workspace, with its location. A workspace that does
// not exist is a rules.ErrNotFound.
func (c *Client) Workspace(ctx context.Context, ref rules.WorkspaceRef) (rules.Workspace, error) {
	if err := checkRef(ref); err != nil {
		return rules.Workspace{}, err
	}
	sc, err := c.forSubscription(ref.Subscription)
	if err != nil {
		return rules.Workspace{}, err
	}
	resp, err := sc.workspaces.Get(ctx, ref.ResourceGroup, ref.Name, nil)
	if err != nil {
		return rules.Workspace{}, mapError(err, "workspace.name")
	}
	ws, ok := workspace(&resp.Workspace)
	if !ok {
		ws = rules.Workspace{WorkspaceRef: ref, Location: normLocation(deref(resp.Location))}
	}
	c.keepWorkspaceLocation(ws)
	return ws, nil
}

// workspace maps an SDK workspace; false when its ID cannot be read.
func workspace(w *armmachinelearning.Workspace) (rules.Workspace, bool) {
	if w == nil {
		return rules.Workspace{}, false
	}
	rid, err := arm.ParseResourceID(deref(w.ID))
	if err != nil {
		return rules.Workspace{}, false
	}
	return rules.Workspace{
		WorkspaceRef: rules.WorkspaceRef{
			Subscription:  rid.SubscriptionID,
			ResourceGroup: rid.ResourceGroupName,
			Name:          rid.Name,
		},
		Location: normLocation(deref(w.Location)),
	}, true
}
