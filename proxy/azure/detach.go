package azure

import (
	"context"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"github.com/amlaks/amlaks/rules"
)

// Detach removes the compute from the workspace and keeps the cluster (O3);
// it returns once Azure has accepted it.
func (c *Client) Detach(ctx context.Context, ref rules.WorkspaceRef, name string) error {
	return c.deleteCompute(ctx, ref, name, armmachinelearning.UnderlyingResourceActionDetach, "detach")
}

// Delete deletes a compute and the resources Azure ML created for it
// (UnderlyingResourceActionDelete) and returns once Azure has accepted it.
func (c *Client) Delete(ctx context.Context, ref rules.WorkspaceRef, name string) error {
	return c.deleteCompute(ctx, ref, name, armmachinelearning.UnderlyingResourceActionDelete, "delete")
}

// deleteCompute sends the compute DELETE with the given underlying-resource
// action and follows it in the background.
func (c *Client) deleteCompute(ctx context.Context, ref rules.WorkspaceRef, name string, action armmachinelearning.UnderlyingResourceAction, what string) error {
	if err := checkRef(ref); err != nil {
		return err
	}
	if name == "" {
		return rules.Errorf(rules.ErrInvalid, "name", "A compute name is required.")
	}
	sc, err := c.forSubscription(ref.Subscription)
	if err != nil {
		return err
	}
	pctx, captured := c.captureRetryAfter(ctx, ref, name)
	poller, err := sc.computes.BeginDelete(pctx, ref.ResourceGroup, ref.Name, name, action, nil)
	if err != nil {
		return mapError(err, "name")
	}
	captured()
	followPoller(c, fmt.Sprintf("%s of compute %s in workspace %s", what, name, ref.Name), poller)
	return nil
}
