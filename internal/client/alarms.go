package client

import (
	"bytes"
	"context"
	"fmt"

	"difesa.org/difesa/internal/wire"
)

// Alarms returns every alarm of the hub (GET /api/v1/hubs/ID/alarms), open
// ones first, read a page at a time. An alarm listed twice (acknowledged
// while the pages were read) is kept once, as it is now. It needs a login.
func (c *Client) Alarms(ctx context.Context) ([]wire.Alarm, error) {
	var out []wire.Alarm
	at := map[string]int{}
	err := eachPage("", "alarm listing",
		func(cursor string) (*wire.AlarmList, error) { return c.AlarmsPage(ctx, cursor, 0) },
		func(p *wire.AlarmList) (string, int, bool) { return p.Next, len(p.Alarms), p.More },
		func(p *wire.AlarmList) error {
			for _, a := range p.Alarms {
				if i, ok := at[a.ID]; ok {
					out[i] = a
					continue
				}
				at[a.ID] = len(out)
				out = append(out, a)
			}
			return nil
		})
	return out, err
}

// AlarmsPage returns one page of the hub's alarms after cursor ("" from
// the start; limit 0 for the hub's default).
func (c *Client) AlarmsPage(ctx context.Context, cursor string, limit int) (*wire.AlarmList, error) {
	if c.token == "" {
		return nil, ErrNotLoggedIn
	}
	var l wire.AlarmList
	if err := c.doJSON(ctx, "GET", pageURL(c.apiURL("alarms"), cursor, limit), nil, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// Ack acknowledges alarm id, with note (an age file to the hub's
// recipients, at most [wire.MaxAlarmNoteFile] bytes) or none (nil), and
// returns the alarm as the hub now has it. Acknowledging an acknowledged
// alarm changes nothing. An unknown id is [wire.CodeNoAlarm].
func (c *Client) Ack(ctx context.Context, id string, note []byte) (*wire.Alarm, error) {
	if c.token == "" {
		return nil, ErrNotLoggedIn
	}
	if len(note) > wire.MaxAlarmNoteFile {
		return nil, fmt.Errorf("the note is %d bytes encrypted, over the hub's %d", len(note), wire.MaxAlarmNoteFile)
	}
	req, err := c.newRequest(ctx, "POST", c.apiURL("alarms", id, "ack"), bytes.NewReader(note))
	if err != nil {
		return nil, err
	}
	if len(note) > 0 {
		req.Header.Set("Content-Type", wire.MediaTypeAge)
	}
	resp, err := c.do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var a wire.Alarm
	if err := decodeJSON(resp.Body, &a); err != nil {
		return nil, fmt.Errorf("unexpected answer from the hub after an acknowledgement: %w", err)
	}
	return &a, nil
}
