package rules

// hostile is a value that would run commands or expand variables if any
// export let it out of its literal.
const hostile = "x'; $(rm -rf /) `id` \"q\" \\ \n${var} %{ if true }' $HOME\r\t\x00é💥\u2028"

func hostileRequest(mode Mode) Request {
	r := fullAttach()
	if mode == ModeCreate {
		r = Request{Mode: ModeCreate, Workspace: r.Workspace, TLS: TLS{Mode: TLSCustom, CNAME: hostile},
			Network: validNetwork(), Location: hostile, VMSize: hostile}
		r.Network.VnetName = hostile
	}
	r.Name = hostile
	r.Description = hostile
	r.Workspace.Name = hostile
	r.Tags = map[string]string{hostile: hostile}
	if mode == ModeAttach {
		r.Target = Target{ResourceID: hostile}
		r.TLS.LeafDomainLabel = hostile
	}
	return r
}
