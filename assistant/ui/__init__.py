"""The counter view (Gradio). ``build()`` returns the Blocks app; ``main()`` serves it locally."""
