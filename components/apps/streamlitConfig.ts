import { service } from "../config/serviceFields";

/** The `streamlit` section of the stack config: the Streamlit dashboard's keys, defaults and what each does. */
export const STREAMLIT_CONFIG = service(
  256,
  1,
  { note: "Streamlit dashboard.", enabled: "Deploy the dashboard (and its identity)." },
  {},
  "streamlit",
);
