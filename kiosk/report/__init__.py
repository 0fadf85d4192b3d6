"""The weekly report (issue 19): figures from a source port (`source.FigureSource`; the kiosk's
store today, the facility hub later), assembled into tables (`figures`), rendered apart
(`render_json`, `render_csv`, `render_xlsx`, `render_pdf`), prepared weekly (`weekly`)."""
