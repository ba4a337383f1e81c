return Milad.Cli.MiladCommand.Run(args, Console.Out, Console.Error);
