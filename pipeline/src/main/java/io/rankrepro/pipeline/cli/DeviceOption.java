package io.rankrepro.pipeline.cli;

import io.rankrepro.tasks.task.ComputeDevice;
import picocli.CommandLine.Option;

/** {@code --device}: where the tasks' tensors live; without it, $RANKREPRO_DEVICE, else auto. */
public final class DeviceOption {

    @Option(names = "--device", paramLabel = "auto|cpu|gpu[:N]",
            description = "Where training and analysis tasks put their tensors (default: $RANKREPRO_DEVICE, else auto:"
                    + " GPU 0 with a CUDA GPU and a CUDA libtorch, else the CPU)")
    String device;

    /**
     * The chosen device, made this process's setting (so that tasks in this JVM use it) and handed on
     * to task JVMs through the environment they inherit from the setting; bad values are usage errors.
     */
    ComputeDevice resolve() {
        if (device != null) {
            System.setProperty(ComputeDevice.PROPERTY, device);
        }
        try {
            return ComputeDevice.current();
        } catch (IllegalArgumentException e) {
            String why = e.getMessage().replaceFirst("^device: ", "");
            throw new UsageError((device != null ? "--device " + device : "$" + ComputeDevice.ENV + "=" + ComputeDevice.setting()) + ": " + why);
        }
    }
}
